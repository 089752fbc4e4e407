"""billing: meters platform usage (documents taken in per dossier and month) for plans and free allowances."""
