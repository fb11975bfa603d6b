"""The staff side: review and publish sessions, edit them, and bring recordings in.

Every staff blueprint checks the login before any of its views runs; every change goes through
ontherecord.service, as the command line's do.
"""
