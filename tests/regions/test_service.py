"""Region tree: creation rules, subtree queries and locating a point."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from streetrelief.core.errors import ConflictError, InvalidInputError, UnknownRegionError
from streetrelief.regions import repository
from streetrelief.regions.models import RegionLevel
from streetrelief.regions.schemas import RegionCreate
from streetrelief.regions.service import create_region, locate_region
from tests.factories.regions import beijing_tree


class TestTree:
    def test_subtree_of_prefecture_holds_its_districts(self, session: Session) -> None:
        tree = beijing_tree(session)
        codes = [r.code for r in repository.subtree(session, tree["1101"])]
        assert codes == ["1101", "110101", "110105", "110108"]

    def test_duplicate_code_refused(self, session: Session) -> None:
        beijing_tree(session)
        with pytest.raises(ConflictError):
            create_region(session, RegionCreate(code="11", name="x", level=RegionLevel.province))

    def test_unknown_parent_refused(self, session: Session) -> None:
        with pytest.raises(UnknownRegionError):
            create_region(
                session,
                RegionCreate(code="9901", name="x", level=RegionLevel.prefecture, parent_code="99"),
            )

    def test_level_not_below_parent_refused(self, session: Session) -> None:
        beijing_tree(session)
        with pytest.raises(InvalidInputError):
            create_region(
                session,
                RegionCreate(code="12", name="x", level=RegionLevel.province, parent_code="11"),
            )


class TestLocate:
    def test_point_in_haidian_finds_haidian(self, session: Session) -> None:
        beijing_tree(session)
        region = locate_region(session, 39.96, 116.30)
        assert region is not None
        assert region.code == "110108"

    def test_point_far_from_any_centre_finds_none(self, session: Session) -> None:
        beijing_tree(session)
        assert locate_region(session, -33.9, 151.2) is None
