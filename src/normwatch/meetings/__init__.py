"""Meetings, statements and reactions: who said what at a treaty meeting, coded against a
codebook, measured reproducibly.

Public API (each returns JSON-ready dicts; the CLI and the web pages call these):

* :func:`~normwatch.meetings.queries.list_meetings`, :func:`~.queries.get_meeting`,
  :func:`~.queries.show_meeting`, :func:`~.queries.statements`, :func:`~.queries.claims`
* :func:`~normwatch.meetings.importer.import_meeting` - import a meeting directory
* :func:`~normwatch.meetings.codings.set_codes`, :func:`~.codings.unset_codes`,
  :func:`~.codings.meeting_codings`, :func:`~.codings.auto_code`
* :func:`~normwatch.meetings.reactions.reactions` - counts, shares, silent States, breakdowns
* :func:`~normwatch.meetings.agreement.agreement`, :func:`~.agreement.cohen_kappa`,
  :func:`~.agreement.krippendorff_alpha_nominal`
* :func:`~normwatch.meetings.groups.groups`, :func:`~.groups.memberships`,
  :func:`~.groups.groups_on`

Modules are imported on use (``from normwatch.meetings.reactions import reactions``) so that
the command line stays quick to start.
"""
