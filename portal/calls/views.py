from django.shortcuts import render


def calls(request, account_number):
    return render(request, "section.html", {"section": "calls"})
