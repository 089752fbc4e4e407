"""identity's use cases, one module per subject; each function takes the Context first."""
