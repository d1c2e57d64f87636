from django.shortcuts import render


def directory(request, account_number):
    return render(request, "section.html", {"section": "directory"})


def info_pages(request, account_number):
    return render(request, "section.html", {"section": "info_pages"})

