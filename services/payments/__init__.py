"""payments: open items of validated invoices (to pay or to collect), payment batches and reconciliation."""
