"""identity: the accounting firms' client dossiers (later: firms, users, roles, invitations)."""
