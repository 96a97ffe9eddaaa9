"""Services: the shell that composes ports and policies into use cases.

Services may do I/O; they take the clock as a parameter (a ``Callable[[], datetime]``)
so that tests control time.
"""
