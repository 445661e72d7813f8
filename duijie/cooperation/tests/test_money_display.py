"""Money reads in 万元 on list and detail pages (the seeds' unit) with the exact yuan on hover;
exports keep the exact yuan."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from duijie.cooperation.models import YearlyOutcome
from duijie.cooperation.tests import helpers as h
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

SHOWN = '<span class="money" title="391,500,000.00元">39,150万元</span>'


def test_contract_amount_in_wan_on_list_and_detail(admin_client):
    contract = h.contract(title="万元合同", amount=Decimal("391500000.00"))
    listing = admin_client.get("/r/tech-contracts/").content.decode()
    assert SHOWN in listing and "391500000" not in listing
    assert '<a href="?sort=amount">合同金额</a>' in listing  # the column header without its （元）
    assert 'for="col-amount">合同金额（元）</label>' in listing  # the export's column stays in yuan
    detail = admin_client.get(f"/r/tech-contracts/{contract.pk}/").content.decode()
    assert SHOWN in detail and "391500000" not in detail


def test_outcomes_and_demand_budget_in_wan(admin_client):
    project = h.project()
    YearlyOutcome.objects.create(project=project, year=2025, new_investment=Decimal("12345.67"),
                                 new_sales=Decimal("80000000"))
    listing = admin_client.get("/r/project-outcomes/").content.decode()
    assert 'title="12,345.67元">1.234567万元<' in listing  # never rounded away
    assert 'title="80,000,000.00元">8,000万元<' in listing
    demand = f.demand(budget_min=Decimal("500000"), budget_max=Decimal("2000000"))
    detail = admin_client.get(f"/r/demands/{demand.pk}/").content.decode()
    assert 'title="500,000.00元">50万元<' in detail and 'title="2,000,000.00元">200万元<' in detail


def test_export_keeps_exact_yuan(admin_client):
    h.contract(title="导出合同", amount=Decimal("391500000.00"))
    response = admin_client.get("/r/tech-contracts/export.xlsx", {"columns": ["title", "amount"]})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert rows[1][0] == "导出合同" and Decimal(str(rows[1][1])) == Decimal("391500000")
