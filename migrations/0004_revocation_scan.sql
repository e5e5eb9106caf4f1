CREATE INDEX `auth_events_deletions` ON `auth_events` (`created_at`) WHERE "auth_events"."kind" IN ('account_deleted', 'admin_user_deleted');--> statement-breakpoint
CREATE INDEX `sessions_revoked_at` ON `sessions` (`revoked_at`) WHERE "sessions"."revoked_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `users_disabled_at` ON `users` (`disabled_at`) WHERE "users"."disabled_at" IS NOT NULL;