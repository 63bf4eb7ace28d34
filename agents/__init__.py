"""The model's actors, one file per type.

Each file holds the actor's Mesa agent class (a light view for inspection, or an
organisation-level agent with its own state and decisions) and the rules that act on all
residents at once, as plain functions over the state arrays: their arguments are what they
read, their return values what they change. model/model.py wires them into the daily step.
"""

from grassroots.agents.assessment_institution import RiskAssessmentInstitution
from grassroots.agents.committee import CommunityCommittee
from grassroots.agents.department import GovernmentDepartment
from grassroots.agents.enterprise import Enterprise
from grassroots.agents.party_member import PartyMember
from grassroots.agents.resident import Resident
from grassroots.agents.social_organisation import SocialOrganisation

__all__ = [
    "CommunityCommittee", "Enterprise", "GovernmentDepartment", "PartyMember", "Resident",
    "RiskAssessmentInstitution", "SocialOrganisation",
]
