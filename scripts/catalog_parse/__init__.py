"""Parsers that turn the PDF-extracted Lighthouse API docs into the catalog (build-time only)."""
