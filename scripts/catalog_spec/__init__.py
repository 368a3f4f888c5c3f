"""Build a service catalog from Tencent's machine-readable API spec (tccli api.json)."""
