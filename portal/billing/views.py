from django.shortcuts import render


def billing(request, account_number):
    return render(request, "section.html", {"section": "billing"})


def billable(request, account_number):
    return render(request, "section.html", {"section": "billable"})
