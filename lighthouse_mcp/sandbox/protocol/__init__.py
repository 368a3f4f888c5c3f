"""The sandbox's API face: request shapes, signatures (v3 and v1), parameter checks, HTTP.

Everything a request meets before a handler runs, and the rendering of what comes back;
nothing here knows a resource family.
"""
