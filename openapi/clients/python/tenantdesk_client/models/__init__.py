"""Contains all the data models used in inputs/outputs"""

from .api_key_created import ApiKeyCreated
from .api_key_in import ApiKeyIn
from .api_key_out import ApiKeyOut
from .api_key_page import ApiKeyPage
from .api_key_scope import ApiKeyScope
from .audit_entry_out import AuditEntryOut
from .audit_entry_page import AuditEntryPage
from .bulk_in import BulkIn
from .bulk_out import BulkOut
from .chunk_in import ChunkIn
from .chunks_in import ChunksIn
from .chunks_out import ChunksOut
from .collection_in import CollectionIn
from .collection_out import CollectionOut
from .collection_page import CollectionPage
from .collection_patch import CollectionPatch
from .document_in import DocumentIn
from .document_in_metadata import DocumentInMetadata
from .document_out import DocumentOut
from .document_out_metadata import DocumentOutMetadata
from .document_page import DocumentPage
from .document_patch import DocumentPatch
from .document_patch_metadata import DocumentPatchMetadata
from .document_type import DocumentType
from .document_upload import DocumentUpload
from .document_written import DocumentWritten
from .document_written_metadata import DocumentWrittenMetadata
from .external_ref_in import ExternalRefIn
from .external_ref_in_metadata import ExternalRefInMetadata
from .external_ref_out import ExternalRefOut
from .external_ref_out_metadata import ExternalRefOutMetadata
from .external_ref_page import ExternalRefPage
from .health_out import HealthOut
from .history_out import HistoryOut
from .history_page import HistoryPage
from .job_out import JobOut
from .job_page import JobPage
from .job_status import JobStatus
from .logout_in import LogoutIn
from .me_out import MeOut
from .message_in import MessageIn
from .message_in_metadata import MessageInMetadata
from .message_out import MessageOut
from .message_out_metadata import MessageOutMetadata
from .message_page import MessagePage
from .message_role import MessageRole
from .password_change_in import PasswordChangeIn
from .problem import Problem
from .problem_code import ProblemCode
from .refresh_in import RefreshIn
from .search_filters import SearchFilters
from .search_filters_metadata import SearchFiltersMetadata
from .search_hit import SearchHit
from .search_in import SearchIn
from .search_mode import SearchMode
from .search_out import SearchOut
from .sort_order import SortOrder
from .superadmin_token_in import SuperadminTokenIn
from .tenant_in import TenantIn
from .tenant_out import TenantOut
from .tenant_page import TenantPage
from .tenant_patch import TenantPatch
from .ticket_in import TicketIn
from .ticket_in_metadata import TicketInMetadata
from .ticket_out import TicketOut
from .ticket_out_metadata import TicketOutMetadata
from .ticket_page import TicketPage
from .ticket_patch import TicketPatch
from .ticket_patch_metadata_type_0 import TicketPatchMetadataType0
from .ticket_priority import TicketPriority
from .ticket_sort import TicketSort
from .ticket_source import TicketSource
from .ticket_status import TicketStatus
from .token_in import TokenIn
from .token_out import TokenOut
from .transition_in import TransitionIn
from .user_in import UserIn
from .user_out import UserOut
from .user_page import UserPage
from .user_patch import UserPatch
from .user_role import UserRole
from .version_list import VersionList
from .version_out import VersionOut

__all__ = (
    "ApiKeyCreated",
    "ApiKeyIn",
    "ApiKeyOut",
    "ApiKeyPage",
    "ApiKeyScope",
    "AuditEntryOut",
    "AuditEntryPage",
    "BulkIn",
    "BulkOut",
    "ChunkIn",
    "ChunksIn",
    "ChunksOut",
    "CollectionIn",
    "CollectionOut",
    "CollectionPage",
    "CollectionPatch",
    "DocumentIn",
    "DocumentInMetadata",
    "DocumentOut",
    "DocumentOutMetadata",
    "DocumentPage",
    "DocumentPatch",
    "DocumentPatchMetadata",
    "DocumentType",
    "DocumentUpload",
    "DocumentWritten",
    "DocumentWrittenMetadata",
    "ExternalRefIn",
    "ExternalRefInMetadata",
    "ExternalRefOut",
    "ExternalRefOutMetadata",
    "ExternalRefPage",
    "HealthOut",
    "HistoryOut",
    "HistoryPage",
    "JobOut",
    "JobPage",
    "JobStatus",
    "LogoutIn",
    "MeOut",
    "MessageIn",
    "MessageInMetadata",
    "MessageOut",
    "MessageOutMetadata",
    "MessagePage",
    "MessageRole",
    "PasswordChangeIn",
    "Problem",
    "ProblemCode",
    "RefreshIn",
    "SearchFilters",
    "SearchFiltersMetadata",
    "SearchHit",
    "SearchIn",
    "SearchMode",
    "SearchOut",
    "SortOrder",
    "SuperadminTokenIn",
    "TenantIn",
    "TenantOut",
    "TenantPage",
    "TenantPatch",
    "TicketIn",
    "TicketInMetadata",
    "TicketOut",
    "TicketOutMetadata",
    "TicketPage",
    "TicketPatch",
    "TicketPatchMetadataType0",
    "TicketPriority",
    "TicketSort",
    "TicketSource",
    "TicketStatus",
    "TokenIn",
    "TokenOut",
    "TransitionIn",
    "UserIn",
    "UserOut",
    "UserPage",
    "UserPatch",
    "UserRole",
    "VersionList",
    "VersionOut",
)
