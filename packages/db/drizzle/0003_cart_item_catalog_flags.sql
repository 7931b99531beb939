ALTER TABLE "cart_items" ADD COLUMN "previous_unit_price_cents" integer;--> statement-breakpoint
ALTER TABLE "cart_items" ADD COLUMN "out_of_stock" boolean;--> statement-breakpoint
ALTER TABLE "cart_items" ADD COLUMN "available_stock" integer;--> statement-breakpoint
ALTER TABLE "cart_items" ADD COLUMN "book_version" integer;