CREATE TABLE `service_clients` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`secret_hash` text NOT NULL,
	`previous_secret_hash` text,
	`previous_secret_expires_at` integer,
	`audiences` text NOT NULL,
	`roles` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`created_by` text,
	`last_used_at` integer,
	`revoked_at` integer,
	`tokens_revoked_before` integer
);
--> statement-breakpoint
CREATE INDEX `service_clients_tokens_revoked_before` ON `service_clients` (`tokens_revoked_before`) WHERE "service_clients"."tokens_revoked_before" IS NOT NULL;