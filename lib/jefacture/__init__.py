"""Shared library of the jefacture services: contracts, envelope, settings, logging, metrics, messaging."""
