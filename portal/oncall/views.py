from django.shortcuts import render


def oncall(request, account_number):
    return render(request, "section.html", {"section": "oncall"})

