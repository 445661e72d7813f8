from django import forms
from django.utils.translation import gettext_lazy as _

from duijie.imports import readers
from duijie.imports.services import check_upload


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload.name, upload.size)
        except readers.FileProblem as exc:
            raise forms.ValidationError(str(exc))
        return upload
