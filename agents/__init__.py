"""The model's agents, one file per type; each type's rules are its static methods."""

from .assessment_institution import RiskAssessmentInstitution
from .committee import CommunityCommittee
from .department import DEPARTMENTS, GovernmentDepartment
from .enterprise import Enterprise
from .party_member import PartyMember
from .resident import NEEDS, Resident
from .social_organisation import SocialOrganisation

__all__ = [
    "DEPARTMENTS", "NEEDS", "CommunityCommittee", "Enterprise", "GovernmentDepartment",
    "PartyMember", "Resident", "RiskAssessmentInstitution", "SocialOrganisation",
]
