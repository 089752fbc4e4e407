"""validation: waits for an invoice to be both extracted and sealed, checks it, accepts or rejects it."""
