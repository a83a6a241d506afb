"""What findings mean: framework mappings and the roll-up, exceptions (waivers,
baselines), the gates that set the exit code, and the change filter.

Everything here works on findings, coverage and results; nothing here knows
where resources came from or how policies were evaluated.
"""
