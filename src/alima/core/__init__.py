"""Core of alima: settings, database, places, users, patients, audit, errors, time, i18n.

Glossary: a *place* is any node of the health pyramid (country > region > district > health
area > facility / mobile clinic / displacement site); a *scope* is a place subtree or a project
that a role assignment is limited to.
"""
