"""The feed consumer: follows the registry and programs feeds into the read models."""
