ALTER TABLE `users` ADD `email_normalized` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_normalized` ON `users` (`email_normalized`) WHERE "users"."email_normalized" IS NOT NULL;--> statement-breakpoint
-- Written by hand after the generated statements above: the backfill. Each verified address goes to
-- one user. Where several users shared one (nothing stopped it before), the user that accepted the
-- address's invitation keeps it, else the oldest; the others keep signing in as themselves but hold no
-- address (email_normalized NULL): `npm run admin -- users duplicates` lists them (docs/access.md).
-- SQLite's lower() folds A-Z only (D1 loads no ICU): the rule of src/access/address.ts for addresses
-- in NFC, which is how Google's ID tokens spell them.
UPDATE `users` SET `email_normalized` = lower(`email`) WHERE `id` IN (
  SELECT `id` FROM (
    SELECT `u`.`id`, row_number() OVER (
      PARTITION BY lower(`u`.`email`)
      ORDER BY EXISTS (
        SELECT 1 FROM `invitations` AS `i` WHERE `i`.`email` = lower(`u`.`email`) AND `i`.`accepted_by` = `u`.`id`
      ) DESC, `u`.`created_at`, `u`.`id`
    ) AS `rank`
    FROM `users` AS `u`
    WHERE `u`.`email_verified` = 1 AND coalesce(`u`.`email`, '') <> ''
  ) WHERE `rank` = 1
);
