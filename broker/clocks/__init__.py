"""Deadlines: started, paused, resumed, extended and stopped by the lifecycle; fired by the worker."""
