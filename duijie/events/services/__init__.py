"""Writes for events, one module per sub-domain: lifecycle (creation and status), invitations,
registration (self-registration and declining), checkin, meetings (1:1 slots), intentions and
followups (follow-up tasks and meeting records); common holds what they share.

Every service owns its transaction, records history (with the acting user) and an audit entry, and
refuses with a Chinese-translated message naming the field. Organiser actions need the right to edit
the event (core.selectors.can_edit: government roles within scope); invitees act only on their own
invitation.

Callers import the submodule (``from duijie.events.services import invitations``); this package
re-exports nothing, so each name has one home.
"""
