import { sql, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// The table types' rules as the seed documents state them (issue 15, "Rules that are wrong"),
// with where each rule comes from in a new column `rule_basis`.
//
// A type a beheerder never saved (updated_at is null) still holds the values the product seeded,
// so it gets the corrected ones. A type a beheerder did save is the region's own decision: it is
// left exactly as it is, and every rule where it differs from the corrected seed is written to
// `table_type_reviews`, which /beheer/tafeltypes shows until the type is saved again.
//
// MDA++ names three actions per bespreking (001 §5.4.3), not over the whole case: a rounded-off
// case item now records the case's action ids (`item_closures.action_ids`), and the next
// bespreking counts only actions not among them. Closures made before this release get the
// case's action ids as they are now: at the upgrade every existing action belongs to a bespreking
// that came before (a bespreking under way during the upgrade counts its actions as earlier).

interface Rules {
	min_age: number | null;
	max_age: number | null;
	caseload_cap: number | null;
	child_min_age: number | null;
	client_participation?: string;
	rule_basis: string;
}

const CORRECTED: Record<string, Rules> = {
	rtiv: {
		min_age: 0,
		max_age: 6,
		caseload_cap: null,
		child_min_age: null,
		rule_basis: 'Leeftijd: kinderen van 0 tot 7 jaar, dus tot en met 6 jaar [Werkdocument 001 §5.4.1].'
	},
	oph: {
		min_age: null,
		max_age: 22,
		caseload_cap: null,
		child_min_age: null,
		rule_basis:
			'Leeftijd: jeugdhulp is er tot 18 jaar en kan worden verlengd tot de jeugdige uiterlijk 23 jaar is, dus tot en met 22 jaar [001 §3.3.3; Jeugdwet art. 1.1]. Waar het overleg over gaat: complexe casuïstiek waarin een uithuisplaatsing dreigt [001 §5.3.2].'
	},
	mda: {
		min_age: null,
		max_age: null,
		caseload_cap: null,
		child_min_age: null,
		rule_basis:
			'Geen leeftijdsregel: de tafel bespreekt een huishouden. Per bespreking worden drie acties benoemd die nodig zijn om het geweld te doorbreken; een casemanager volgt het huishouden minimaal 3 jaar [001 §5.4.3]. Aanmelden: Veilig Thuis meldt bij het Zorg- en Veiligheidshuis [001 §5.4.3].'
	},
	jbt: {
		min_age: null,
		max_age: 17,
		caseload_cap: null,
		child_min_age: 12,
		client_participation: 'Ouders; kinderen ouder dan 12 jaar mogen meedoen aan het gesprek.',
		rule_basis:
			'Leeftijd: jeugdbescherming gaat over minderjarigen, tot 18 jaar (Burgerlijk Wetboek, art. 1:255). Aanmelden: alleen Veilig Thuis, lokale toegangsteams en de GI’s [001 §5.4.4]. “Kinderen ouder dan 12 jaar mogen meedoen aan dit gesprek” [001 §5.4.4]: wij lezen dat als vanaf 12 jaar, zoals het jeugdrecht kinderen vanaf 12 jaar zelf hoort (art. 809 Wetboek van Burgerlijke Rechtsvordering).'
	},
	kbw: {
		min_age: null,
		max_age: null,
		caseload_cap: null,
		child_min_age: null,
		rule_basis: 'Geen leeftijdsregel; wel een BW-indicatie: het gaat nadrukkelijk om cliënten met een BW-indicatie [001 §5.4.5].'
	},
	t150: {
		min_age: null,
		max_age: null,
		caseload_cap: 150,
		child_min_age: null,
		rule_basis: 'Ten hoogste 150 lopende casussen: de 150 meest complexe en risicovolle veiligheidscasussen [001 §5.4.6]. De bron noemt geen leeftijd.'
	},
	topx: {
		min_age: null,
		max_age: null,
		caseload_cap: null,
		child_min_age: null,
		client_participation: 'De organisaties die bij de persoon betrokken zijn (de partners van de persoon) mogen aansluiten.',
		rule_basis:
			'Geen maximum: “op dit moment worden er 30 casussen in de Top X Plus besproken” is een telling, geen grens [001 §5.4.7]. De bron noemt geen leeftijd. Kader: zowel de Wet verplichte GGZ als het strafrecht, ook allebei [001 §5.4.7].'
	},
	tws: {
		min_age: null,
		max_age: 22,
		caseload_cap: null,
		child_min_age: null,
		rule_basis: 'Leeftijd: jeugdhulp kan worden verlengd tot de jongere uiterlijk 23 jaar is, dus tot en met 22 jaar [001 §3.3.3, §5.4.8; Jeugdwet art. 1.1].'
	}
};

/** Why each rule changed, in the words the review list shows the beheerder. */
const REASONS: Record<string, Partial<Record<keyof Rules, string>>> = {
	rtiv: { max_age: '“Kinderen van 0 tot 7 jaar” [001 §5.4.1]: tot en met 6 jaar.' },
	oph: { max_age: 'Jeugdhulp kan worden verlengd tot de jeugdige uiterlijk 23 jaar is [001 §3.3.3].' },
	jbt: {
		child_min_age: '“Kinderen ouder dan 12 jaar mogen meedoen” [001 §5.4.4], gelezen als vanaf 12 jaar zoals in het jeugdrecht.',
		client_participation: 'De bron spreekt over meedoen aan het gesprek [001 §5.4.4].'
	},
	kbw: { min_age: 'De bron noemt geen leeftijd, alleen de BW-indicatie [001 §5.4.5].' },
	t150: { min_age: 'De bron noemt geen leeftijd [001 §5.4.6].' },
	topx: {
		min_age: 'De bron noemt geen leeftijd [001 §5.4.7].',
		caseload_cap: '“Op dit moment … 30 casussen” is een telling, geen plafond [001 §5.4.7].',
		client_participation: '“Partners van de persoon” zijn de organisaties die bij de persoon betrokken zijn [001 §5.4.7].'
	},
	tws: {
		min_age: 'De bron noemt geen laagste leeftijd [001 §5.4.8].',
		max_age: 'Jeugdhulp kan worden verlengd tot de jongere uiterlijk 23 jaar is [001 §3.3.3].'
	}
};

const FIELDS = ['min_age', 'max_age', 'caseload_cap', 'child_min_age', 'client_participation', 'rule_basis'] as const;

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('table_types')
		.addColumn('rule_basis', 'text', (c) => c.notNull().defaultTo(''))
		.execute();
	await db.schema
		.createTable('table_type_reviews')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('table_type_id', 'integer', (c) => c.notNull().references('table_types.id').onDelete('cascade'))
		.addColumn('migration', 'text', (c) => c.notNull())
		/** the column, as in table_types */
		.addColumn('field', 'text', (c) => c.notNull())
		/** JSON of the value the type has (a beheerder's choice) and of what the corrected seed says */
		.addColumn('current_value', 'text', (c) => c.notNull())
		.addColumn('proposed_value', 'text', (c) => c.notNull())
		.addColumn('reason', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('table_type_reviews_type_idx').on('table_type_reviews').column('table_type_id').execute();

	await db.schema.alterTable('item_closures').addColumn('action_ids', 'text').execute();
	await sql`update item_closures set action_ids = (
		select coalesce(json_group_array(action_id), '[]') from action_rows where action_rows.case_id = item_closures.case_id
	) where case_id is not null`.execute(db);

	const now = new Date().toISOString();
	const rows = (await db.selectFrom('table_types').selectAll().execute()) as Record<string, unknown>[];
	for (const row of rows) {
		const rules = CORRECTED[String(row.slug)];
		if (!rules) continue; // a type the region added itself
		if (row.updated_at === null || row.updated_at === undefined) {
			await db.updateTable('table_types').set({ ...rules }).where('id', '=', row.id).execute();
			continue;
		}
		for (const field of FIELDS) {
			if (field === 'rule_basis') continue; // the column is new: nothing to compare
			if (!(field in rules)) continue;
			const proposed = rules[field];
			if (row[field] === proposed) continue;
			await db
				.insertInto('table_type_reviews')
				.values({
					table_type_id: row.id,
					migration: '0022_table_rules_from_seeds',
					field,
					current_value: JSON.stringify(row[field] ?? null),
					proposed_value: JSON.stringify(proposed ?? null),
					reason: REASONS[String(row.slug)]?.[field] ?? 'Zo staat het in de brondocumenten.',
					created_at: now
				})
				.execute();
		}
		// the basis itself is offered too, so the beheerder can take it over
		await db
			.insertInto('table_type_reviews')
			.values({
				table_type_id: row.id,
				migration: '0022_table_rules_from_seeds',
				field: 'rule_basis',
				current_value: JSON.stringify(''),
				proposed_value: JSON.stringify(rules.rule_basis),
				reason: 'Nieuw veld: waar de regels op rusten.',
				created_at: now
			})
			.execute();
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('item_closures').dropColumn('action_ids').execute();
	await db.schema.dropTable('table_type_reviews').execute();
	await db.schema.alterTable('table_types').dropColumn('rule_basis').execute();
}
