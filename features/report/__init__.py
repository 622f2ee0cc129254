"""`/migrate report`: the migration so far in one HTML document (issue 15).

    gather.py   what the report says, read from the other features through their api modules
    page.py     the HTML (one self-contained file: inline CSS, charts as data: URIs, no script)
    api.py      build it (the CLI's `report --out`), or queue it for the channel (the verb)
"""
