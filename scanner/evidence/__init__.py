"""Evidence over a period: a store of results, diffs between them, the period model and signatures.

A single scan shows the state at one instant; audits such as SOC 2 Type II ask
whether controls operated over a period.  This package turns saved results
into that record.  It reads results only through their JSON (the
``ScanResult`` document), never by rescanning, so evidence collected months
ago can still be examined with today's tool.
"""
