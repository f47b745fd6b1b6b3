"""The registry change feed: an outbox written in the same transaction as every change."""
