"""The transfer verbs: start (with a confirmation card), pause, resume, throttle, cancel.
One module per verb (the registry loads `VERB` from each); shared parsing in common.py.
They only call features.transfers.api."""
