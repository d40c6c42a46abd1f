"""Contains all the data models used in inputs/outputs"""

from .agent_out import AgentOut
from .answer_mode import AnswerMode
from .answer_out import AnswerOut
from .api_key_created import ApiKeyCreated
from .api_key_in import ApiKeyIn
from .api_key_out import ApiKeyOut
from .api_key_page import ApiKeyPage
from .api_key_scope import ApiKeyScope
from .ask_delta import AskDelta
from .ask_in import AskIn
from .assist_in import AssistIn
from .assistant_mode import AssistantMode
from .assistant_run_out import AssistantRunOut
from .assistant_run_page import AssistantRunPage
from .audit_entry_out import AuditEntryOut
from .audit_entry_page import AuditEntryPage
from .backlog_out import BacklogOut
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
from .escalation_out import EscalationOut
from .external_ref_in import ExternalRefIn
from .external_ref_in_metadata import ExternalRefInMetadata
from .external_ref_out import ExternalRefOut
from .external_ref_out_metadata import ExternalRefOutMetadata
from .external_ref_page import ExternalRefPage
from .feedback_filter import FeedbackFilter
from .feedback_in import FeedbackIn
from .feedback_out import FeedbackOut
from .health_out import HealthOut
from .history_out import HistoryOut
from .history_page import HistoryPage
from .interval import Interval
from .job_out import JobOut
from .job_page import JobPage
from .job_status import JobStatus
from .knowledge_analytics_out import KnowledgeAnalyticsOut
from .language import Language
from .log_channel import LogChannel
from .logout_in import LogoutIn
from .me_out import MeOut
from .message_in import MessageIn
from .message_in_metadata import MessageInMetadata
from .message_out import MessageOut
from .message_out_metadata import MessageOutMetadata
from .message_page import MessagePage
from .message_role import MessageRole
from .password_change_in import PasswordChangeIn
from .plan_in import PlanIn
from .plan_out import PlanOut
from .post_as import PostAs
from .problem import Problem
from .problem_code import ProblemCode
from .provider_kind import ProviderKind
from .query_log_out import QueryLogOut
from .query_log_page import QueryLogPage
from .query_out import QueryOut
from .refresh_in import RefreshIn
from .retrieved_out import RetrievedOut
from .rule import Rule
from .run_outcome import RunOutcome
from .run_trigger import RunTrigger
from .search_filters import SearchFilters
from .search_filters_metadata import SearchFiltersMetadata
from .search_hit import SearchHit
from .search_in import SearchIn
from .search_mode import SearchMode
from .search_out import SearchOut
from .settings_out import SettingsOut
from .settings_patch import SettingsPatch
from .sort_order import SortOrder
from .source_out import SourceOut
from .superadmin_token_in import SuperadminTokenIn
from .tenant_in import TenantIn
from .tenant_out import TenantOut
from .tenant_page import TenantPage
from .tenant_patch import TenantPatch
from .ticket_analytics_out import TicketAnalyticsOut
from .ticket_bucket_out import TicketBucketOut
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
from .usage_bucket_out import UsageBucketOut
from .usage_group import UsageGroup
from .usage_report_out import UsageReportOut
from .user_in import UserIn
from .user_out import UserOut
from .user_page import UserPage
from .user_patch import UserPatch
from .user_role import UserRole
from .version_list import VersionList
from .version_out import VersionOut

__all__ = (
    "AgentOut",
    "AnswerMode",
    "AnswerOut",
    "ApiKeyCreated",
    "ApiKeyIn",
    "ApiKeyOut",
    "ApiKeyPage",
    "ApiKeyScope",
    "AskDelta",
    "AskIn",
    "AssistIn",
    "AssistantMode",
    "AssistantRunOut",
    "AssistantRunPage",
    "AuditEntryOut",
    "AuditEntryPage",
    "BacklogOut",
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
    "EscalationOut",
    "ExternalRefIn",
    "ExternalRefInMetadata",
    "ExternalRefOut",
    "ExternalRefOutMetadata",
    "ExternalRefPage",
    "FeedbackFilter",
    "FeedbackIn",
    "FeedbackOut",
    "HealthOut",
    "HistoryOut",
    "HistoryPage",
    "Interval",
    "JobOut",
    "JobPage",
    "JobStatus",
    "KnowledgeAnalyticsOut",
    "Language",
    "LogChannel",
    "LogoutIn",
    "MeOut",
    "MessageIn",
    "MessageInMetadata",
    "MessageOut",
    "MessageOutMetadata",
    "MessagePage",
    "MessageRole",
    "PasswordChangeIn",
    "PlanIn",
    "PlanOut",
    "PostAs",
    "Problem",
    "ProblemCode",
    "ProviderKind",
    "QueryLogOut",
    "QueryLogPage",
    "QueryOut",
    "RefreshIn",
    "RetrievedOut",
    "Rule",
    "RunOutcome",
    "RunTrigger",
    "SearchFilters",
    "SearchFiltersMetadata",
    "SearchHit",
    "SearchIn",
    "SearchMode",
    "SearchOut",
    "SettingsOut",
    "SettingsPatch",
    "SortOrder",
    "SourceOut",
    "SuperadminTokenIn",
    "TenantIn",
    "TenantOut",
    "TenantPage",
    "TenantPatch",
    "TicketAnalyticsOut",
    "TicketBucketOut",
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
    "UsageBucketOut",
    "UsageGroup",
    "UsageReportOut",
    "UserIn",
    "UserOut",
    "UserPage",
    "UserPatch",
    "UserRole",
    "VersionList",
    "VersionOut",
)
