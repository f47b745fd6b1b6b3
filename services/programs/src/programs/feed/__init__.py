"""The programs feed: an outbox written in each change's transaction, served in commit order by `seq`."""
