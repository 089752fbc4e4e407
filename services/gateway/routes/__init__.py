"""The public API, one module per subject."""
from . import auth, dossiers, firms, invoices, operations, payments, tasks, webhooks

ROUTERS = [module.router for module in (auth, firms, dossiers, invoices, operations, tasks, payments, webhooks)]
