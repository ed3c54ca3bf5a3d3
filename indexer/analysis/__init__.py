"""What users do after finding responses: count them (`stats`), put the answers to one request
side by side (`compare`) and count working days (`workdays`).

Engine-free: these modules take plain dataclasses (`records.Response`), and only
`records.collect` talks to the search service, through its public API.
"""
