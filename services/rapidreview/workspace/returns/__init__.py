"""The agency return form: its questions, drafts between pages, chronology import and the
conversion to gathering's SubmitAgencyReturn (docs/workspace.md, "Agency returns")."""
