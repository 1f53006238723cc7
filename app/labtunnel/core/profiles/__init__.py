"""Host profiles: the model and its validation, the atomic profile store, keyring
secrets, remembered server state, shared .labtunnel files and ~/.ssh/config import."""
