"""The emulator's engine: state per account and region, handlers' context, lifecycles, faults.

Nothing here speaks HTTP or knows a resource family; ``backend.py`` is the front door.
"""
