"""The resource directory's screens, in the order their routes must be matched (fixed paths such as
/resources/new before /resources/{id})."""

from backend.web.pages import resources, resources_admin, resources_desk, resources_facility, resources_referrals

ROUTERS = (resources_desk.router, resources.router, resources_facility.router, resources_admin.router,
           resources_referrals.router)
