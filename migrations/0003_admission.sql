ALTER TABLE `invitations` ADD `accepted_by` text;--> statement-breakpoint
ALTER TABLE `users` ADD `hosted_domain` text;