"""The errors dashboard: staff find, read and resolve errors here. Actions call services.

One module per thing staff look at: `groups` (the list, the group page, transitions, merge
and unmerge), `occurrences`, `overview` (charts, rates, SLOs) and `projects` (reporting
projects, their DSN keys, and raw ingest events); `forms` holds the group pages' forms and
`common` what they all share.
"""

from errors.admin import groups, occurrences, overview, projects  # noqa: F401 (registers)
