"""seal-vault: seals each received original (PAdES) and keeps the sealed copies."""
