"""Helpers shared by test layers: the sandbox's independent signer and the docs' examples
made runnable (one place, so the functional and end-to-end suites agree on both)."""
