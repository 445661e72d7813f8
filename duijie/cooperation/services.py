"""Writes for cooperation: the project stage workflow, project documents (checked, encrypted at rest,
outside the web root) and converting an event intention into a project."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duijie.cooperation.choices import ProjectSource
from duijie.cooperation.choices import ProjectStage as S
from duijie.cooperation.models import CooperationProject, ProjectDocument, TechContract
from duijie.core import changes, crypto, uploads
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import Transition
from duijie.core.selectors import can_edit, editable_queryset, visible_queryset
from duijie.core.services import record_save, record_transition, workflow_service

PROJECT_TRANSITIONS = (
    Transition("sign", gettext_lazy("Signed (签约)"), (S.INTENTION,), S.SIGNED, style="primary"),
    Transition("implement", gettext_lazy("Start implementation (实施)"), (S.SIGNED,), S.IMPLEMENTING,
               style="primary"),
    Transition("complete", gettext_lazy("Accept / complete (验收/完成)"), (S.IMPLEMENTING,), S.COMPLETED,
               style="success"),
    Transition("terminate", gettext_lazy("Terminate (终止)"), (S.INTENTION, S.SIGNED, S.IMPLEMENTING),
               S.TERMINATED, needs_reason=True, style="danger"),
    Transition("back-to-intention", gettext_lazy("Back to intention"), (S.SIGNED,), S.INTENTION,
               needs_reason=True, style="outline-secondary"),
    Transition("back-to-signed", gettext_lazy("Back to signed"), (S.IMPLEMENTING,), S.SIGNED,
               needs_reason=True, style="outline-secondary"),
    Transition("reopen", gettext_lazy("Reopen implementation"), (S.COMPLETED,), S.IMPLEMENTING,
               needs_reason=True, style="outline-secondary"),
    Transition("resume", gettext_lazy("Resume as intention"), (S.TERMINATED,), S.INTENTION,
               needs_reason=True, style="outline-secondary"),
)

project_sign = workflow_service(PROJECT_TRANSITIONS, "sign", "project")
project_implement = workflow_service(PROJECT_TRANSITIONS, "implement", "project")
project_complete = workflow_service(PROJECT_TRANSITIONS, "complete", "project")
project_terminate = workflow_service(PROJECT_TRANSITIONS, "terminate", "project")


def project_move(*, project: CooperationProject, name: str, by, reason: str = "") -> CooperationProject:
    """Run the named stage step (the same Transition the project page's buttons run)."""
    step = next((t for t in PROJECT_TRANSITIONS if t.name == name), None)
    if step is None:
        raise ValidationError(_("Unknown step “%(name)s”.") % {"name": name})
    return record_transition(instance=project, transition=step, by=by, reason=reason,
                             allowed=by is None or can_edit(by, project))


# ---- intentions → projects ----

def project_from_intention(*, intention, by, title: str = "") -> CooperationProject:
    """Turn a cooperation intention signed at an event into a project (source=event, linked to both
    the event and the intention), with the intention's parties. One project per intention."""
    if by is not None and not editable_queryset(type(intention), by).filter(pk=intention.pk).exists():
        raise PermissionDenied(_("You may not convert this intention."))
    existing = CooperationProject.objects.filter(source_intention=intention).first()
    if existing is not None:
        raise ValidationError(_("This intention has already become the project “%(project)s”.")
                              % {"project": existing})
    project = CooperationProject(
        title=(title or intention.subject)[:200], source=ProjectSource.EVENT,
        source_event_id=intention.event_id, source_intention=intention,
        description=intention.notes, intention_on=intention.signed_on,
        owner_org_id=intention.owner_org_id, region_id=intention.region_id, park_id=intention.park_id,
        visibility=intention.visibility if intention.visibility != "public" else "restricted")
    m2m = {"enterprises": [intention.enterprise_id],
           "institutions": [intention.institution_id] if intention.institution_id else [],
           "experts": [intention.expert_id] if intention.expert_id else [],
           "assessment_units": list(intention.assessment_units.values_list("pk", flat=True))}
    return record_save(instance=project, by=by, m2m=m2m)


def contract_for_project(*, project: CooperationProject, by, title: str, contract_type: str, amount,
                         signed_on, enterprise, institution=None, seller_enterprise=None) -> TechContract:
    """A technology contract signed within a cooperation project: linked to it and placed where the
    project lies (owner, region, park, assessment units). Other apps (a challenge's award) create their
    project's contract through here."""
    if not can_edit(by, project):
        raise PermissionDenied(_("You may not record contracts of this project."))
    contract = TechContract(
        title=title[:200], contract_type=contract_type, enterprise=enterprise, institution=institution,
        seller_enterprise=seller_enterprise, amount=amount, signed_on=signed_on, project=project,
        owner_org_id=project.owner_org_id, region_id=project.region_id, park_id=project.park_id)
    return record_save(instance=contract, by=by,
                       m2m={"assessment_units": list(project.assessment_units.values_list("pk", flat=True))})


# ---- documents ----

# Accepted types: extension → (magic-byte check, label). Office files are ZIP containers and must
# hold the part their type names, so a renamed .zip or .xlsx is not taken for a .docx.
ALLOWED_TYPES = ("pdf", "docx", "xlsx", "jpg", "png")


def document_dir() -> Path:
    path = Path(settings.DUIJIE_DOCUMENT_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def max_document_bytes() -> int:
    return int(getattr(settings, "DUIJIE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))


def _zip_has(data: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return part in zf.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def sniff(data: bytes) -> str | None:
    """The file's real type from its content (magic bytes), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        if _zip_has(data, "word/document.xml"):
            return "docx"
        if _zip_has(data, "xl/workbook.xml"):
            return "xlsx"
    return None


def check_document(name: str, data: bytes) -> str:
    """The accepted type of an upload, or a ValidationError naming the problem in Chinese."""
    ext = Path(name).suffix.lower().lstrip(".")
    ext = "jpg" if ext == "jpeg" else ext
    if ext not in ALLOWED_TYPES:
        raise ValidationError({"file": _("“%(name)s”: only PDF, Word (.docx), Excel (.xlsx), JPG and PNG files are "
                                         "accepted.") % {"name": name}})
    if not data:
        raise ValidationError({"file": _("The file “%(name)s” is empty.") % {"name": name}})
    if len(data) > max_document_bytes():
        raise ValidationError({"file": _("The file is %(size).1f MB; the largest file accepted is %(limit).1f MB.")
                               % {"size": len(data) / 1048576, "limit": max_document_bytes() / 1048576}})
    if ext in ("docx", "xlsx"):
        # Stored, never parsed here; still, a zip bomb, a macro project or a million-part directory is
        # not kept for others to download (core/uploads.py; the limits imports use).
        try:
            uploads.open_zip(data, name).close()
        except uploads.UnsafeFile as exc:
            raise ValidationError({"file": str(exc)})
        except uploads.NotAZip:
            pass  # reported below: its content does not match its extension
    real = sniff(data)
    if real != ext:
        raise ValidationError({"file": _("“%(name)s” is not really a %(ext)s file (its content does not match its "
                                         "extension).") % {"name": name, "ext": ext.upper()}})
    return ext


def document_upload(*, project: CooperationProject, by, kind: str, file_name: str, data: bytes,
                    title: str = "") -> ProjectDocument:
    if not can_edit(by, project):
        raise PermissionDenied(_("You may not add documents to this project."))
    file_type = check_document(file_name, data)
    stored = f"{secrets.token_hex(16)}.bin"
    path = document_dir() / stored
    with transaction.atomic():
        doc = ProjectDocument(project=project, kind=kind, title=title[:200], file_name=Path(file_name).name[:255],
                              file_type=file_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                              stored_name=stored, uploaded_by=by if getattr(by, "is_authenticated", False) else None)
        doc.full_clean(exclude=["stored_name"])
        path.write_bytes(crypto.encrypt_bytes(data))  # documents may hold personal data: encrypted at rest
        path.chmod(0o600)
        try:
            doc.save()
            audit(user=by, action=AuditAction.CREATE, obj=doc,
                  detail={"project": project.pk, "kind": kind, "size": len(data)})
            changes.announce(changes.Kind.CREATED, ProjectDocument, [doc.pk])
        except Exception:
            path.unlink(missing_ok=True)
            raise
    return doc


def document_read(*, document: ProjectDocument, by) -> bytes:
    """The decrypted file for a reader who may read its project (audited)."""
    if not visible_queryset(CooperationProject, by).filter(pk=document.project_id).exists():
        raise PermissionDenied(_("You may not read this document."))
    data = crypto.decrypt_bytes((document_dir() / document.stored_name).read_bytes())
    audit(user=by, action=AuditAction.EXPORT, obj=document,
          detail={"download": document.pk, "project": document.project_id, "kind": document.kind})
    return data


def document_delete(*, document: ProjectDocument, by) -> None:
    if not can_edit(by, document.project):
        raise PermissionDenied(_("You may not remove documents from this project."))
    with transaction.atomic():
        pk, text, stored = document.pk, str(document), document.stored_name
        document.delete()
        audit(user=by, action=AuditAction.DELETE, object_type="cooperation.projectdocument", object_id=pk,
              object_repr=text, detail={"project": document.project_id})
        changes.announce(changes.Kind.DELETED, ProjectDocument, [pk])
        transaction.on_commit(lambda: (document_dir() / stored).unlink(missing_ok=True))


def stage_log(project: CooperationProject) -> list[dict]:
    """Stage changes from the project's history: when, who, from → to, reason."""
    rows = list(project.history.select_related("history_user").order_by("history_date", "history_id")
                .values("history_date", "status", "history_user__username", "history_user__display_name",
                        "history_change_reason"))
    log, previous = [], None
    labels = dict(S.choices)
    step_names = {t.name for t in PROJECT_TRANSITIONS}
    for row in rows:
        if row["status"] != previous:
            log.append({"at": timezone.localtime(row["history_date"]),
                        "from": labels.get(previous, "") if previous else "", "to": labels.get(row["status"], ""),
                        "by": row["history_user__display_name"] or row["history_user__username"] or "",
                        "reason": "" if not previous or row["history_change_reason"] in step_names
                        else row["history_change_reason"] or ""})
            previous = row["status"]
    return log
