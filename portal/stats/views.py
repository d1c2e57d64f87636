from django.shortcuts import render


def stats(request, account_number):
    return render(request, "section.html", {"section": "stats"})

