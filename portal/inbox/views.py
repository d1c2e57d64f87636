from django.shortcuts import render


def inbox(request, account_number):
    return render(request, "section.html", {"section": "inbox"})
