"""ingest: receives documents (uploads, e-mail, connectors), keeps the originals, emits InvoiceReceived."""
