"""Public, secret-link URLs of the on-call app (iCal feeds); no account in the path."""

urlpatterns: list = []
