/** German: every English key, informal "du" as in Discord's own German, short enough to read on a phone. */
import type { Translation } from '../locales.ts';

export const de = {
  // Failures (en/failures.ts)
  'failure.picture_not_an_image':
    'Diese Datei ist kein Bild, das der Bot lesen kann. Bitte hänge ein Foto an (JPEG, PNG, WebP, AVIF, GIF oder TIFF).',
  'failure.picture_gif': 'GIFs (animiert oder nicht) gehen nicht; bitte hänge ein .png- oder .jpg-Bild an.',
  'failure.picture_webp': 'WebP-Bilder gehen nicht; bitte hänge ein .png- oder .jpg-Bild an.',
  'failure.picture_damaged': 'Dieses {format}-Bild scheint beschädigt oder unvollständig; speichere es neu oder hänge ein anderes an.',
  'failure.picture_too_small': 'Dieses Bild ist {width}x{height} groß; es muss mindestens {minWidth}x{minHeight} Pixel haben.',
  'failure.picture_too_many_pixels': 'Dieses Bild ist zu groß (über {megapixels} Megapixel); bitte hänge ein kleineres an.',
  'failure.picture_too_large': 'Dieses Bild ist größer als {megabytes} MB; bitte hänge ein kleineres an.',
  'failure.picture_unusable':
    'Dieses Bild geht nicht: Bitte hänge ein PNG oder JPEG mit mindestens {minWidth}x{minHeight} und höchstens {megabytes} MB an.',
  'failure.picture_unavailable': 'Dein Bild konnte nicht von Discord geladen werden. Bitte versuch es noch einmal.',
  'failure.picture_not_on_discord':
    'Der Bot lädt nur Bilder, die auf Discord hochgeladen wurden, und dieses verweist woandershin. Bitte hänge die Bilddatei selbst an.',
  'failure.provider_rejected': 'Der Anbieter hat dieses Bild oder diesen Prompt abgelehnt.',
  'failure.provider_rejected_because': 'Der Anbieter hat dieses Bild oder diesen Prompt abgelehnt: {reason}',
  'failure.generation_failed': 'Der Videodienst konnte dieses Video nicht erstellen und hat keinen Grund genannt.',
  'failure.generation_failed_because': 'Der Videodienst konnte dieses Video nicht erstellen: {reason}',
  'failure.generation_timed_out': 'Der Videodienst hat zu lange gebraucht. Bitte versuch /animieren später noch einmal.',
  'failure.video_lost':
    'Das Video wurde erstellt, aber der Bot konnte es nicht vom Videodienst abholen. Bitte versuch /animieren noch einmal.',
  'failure.provider_misconfigured': 'Der Videodienst ist beim Bot falsch eingerichtet. Ein Admin wurde benachrichtigt.',
  'failure.provider_out_of_credit': 'Videos können gerade nicht erstellt werden. Bitte versuch es später noch einmal.',
  'failure.provider_unavailable': 'Der Videodienst antwortet gerade nicht. Bitte versuch /animieren in ein paar Minuten noch einmal.',
  'failure.submit_unknown':
    'Beim Senden deines Bildes ist die Verbindung zum Videodienst abgerissen, daher wissen wir nicht, ob es gestartet ist. Damit du nicht doppelt zahlst, wurde es nicht erneut gesendet. Bitte versuch /animieren in einer Minute noch einmal.',
  'failure.cancelled': 'Abgebrochen, bevor es losging.',
  'failure.internal': 'Bei uns ist etwas schiefgelaufen (Ref. {ref}). Bitte versuch /animieren noch einmal.',

  // Replies (en/replies.ts)
  'progress.checking': '🔍 Dein Bild wird geprüft…',
  'progress.waiting': '⏳ Warte, bis der Videodienst startet…',
  'progress.waiting_turn':
    '⏳ Warte, bis dein vorheriges Video fertig ist ({position} in der Schlange). Deine Einheiten sind dafür reserviert.',
  'progress.paused': '⏸️ Die Videoerstellung pausiert ein paar Minuten; deins startet, sobald es weitergeht.',
  'progress.generating': '🎬 Dein Video wird erstellt…',
  'progress.generating_percent': '🎬 Dein Video wird erstellt… {percent} %',
  'progress.generating_eta': '🎬 Dein Video wird erstellt… fertig {eta}',
  'progress.generating_percent_eta': '🎬 Dein Video wird erstellt… {percent} %, fertig {eta}',
  'progress.delivering': '📦 Dein Video wird zugestellt…',
  'progress.still_working': '⏳ Dein Video ist noch in Arbeit. Wenn es fertig ist, wird es mit einer Erwähnung in diesem Kanal gepostet.',

  'final.video': '🎬 Hier ist dein Video!',
  'final.video_link_cannot_attach':
    '🎬 Dein Video ist fertig, aber der Bot darf in diesem Kanal keine Dateien anhängen.\nHier herunterladen (der Link läuft {expires} ab): {url}',
  'final.video_link_too_large':
    '🎬 Dein Video ist fertig, aber größer als das Upload-Limit dieses Servers von {limit}.\nHier herunterladen (der Link läuft {expires} ab): {url}',
  'final.video_link_too_large_sized':
    '🎬 Dein Video ist fertig, aber mit {size} größer als das Upload-Limit dieses Servers von {limit}.\nHier herunterladen (der Link läuft {expires} ab): {url}',
  'final.failed': '❌ {failure}',
  'final.failed_refunded': '❌ {failure} {refund}',
  'final.refund': {
    plural: 'cardinal',
    one: 'Du bekommst {count} Einheit zurück.',
    other: 'Du bekommst {count} Einheiten zurück.',
  },
  'final.interrupted':
    '🔄 Der Bot wurde neu gestartet, bevor er dein Video beginnen konnte, also wurde nichts erstellt. {refund} Bitte versuch es noch einmal.',

  'reply.with_prompt': '{text}\n> {prompt}',
  'reply.late_delivery': '{member} {text}',
  'reply.direct_delivery': '{text}\n-# Hierher gesendet, weil der Bot in {channel} nicht posten darf.',
  'reply.generic_apology': '❌ Bei uns ist etwas schiefgelaufen (Ref. {ref}). Bitte versuch es gleich noch einmal.',
  'reply.servers_only': '{command} funktioniert nur auf Servern.',
  'reply.not_enabled':
    '🚫 Dieser Bot ist auf diesem Server nicht freigeschaltet. Frag den Betreiber des Bots, wenn du meinst, er sollte es sein.',
  'reply.needs_manage_server': '🚫 Nur Mitglieder mit der Berechtigung „Server verwalten“ können {command} nutzen.',

  'cancel.button': 'Abbrechen',
  'cancel.not_found': 'Diese Erstellung gibt es nicht mehr.',
  'cancel.not_allowed': 'Nur wer sie angefragt hat (oder ein Moderator) kann diese Erstellung abbrechen.',
  'cancel.started': 'Diese Erstellung hat schon begonnen und kann nicht mehr abgebrochen werden.',
  'cancel.finished': 'Diese Erstellung ist schon fertig.',

  'animate.problem.prompt': '❌ Der Prompt muss zwischen 1 und {max} Zeichen lang sein.',
  'animate.problem.negative_prompt': '❌ Der Negativ-Prompt darf höchstens {max} Zeichen lang sein.',
  'animate.problem.server': '❌ /animieren funktioniert nur auf Servern.',
  'animate.problem.image': '❌ Bitte hänge bei der Option bild ein Bild an.',
  'animate.problem.options': '❌ Diese Optionen sind ungültig: dauer ist 5 oder 10 und cfg_scale liegt zwischen 0 und 1.',

  'number.units': { plural: 'cardinal', one: '{count} Einheit', other: '{count} Einheiten' },
  'number.ordinal': { plural: 'ordinal', other: '{count}.' },
  'number.megabytes': '{megabytes} MB',
  'list.more': { plural: 'cardinal', one: '{count} weiterer', other: '{count} weitere' },

  // Quota (en/quota.ts)
  'period.day': 'Tag',
  'period.week': 'Woche',
  'period.month': 'Monat',
  'limit.none': 'kein Limit',

  'rule.member': 'dein eigenes Kontingent, von einem Moderator gesetzt',
  'rule.role': 'das Kontingent deiner Rolle {role}',
  'rule.server': 'das Standardkontingent dieses Servers',

  'refusal.channel': '🚫 /animieren geht in diesem Kanal nicht. Versuch es in {channels}.',
  'refusal.paused':
    '⏸️ Videos können gerade nicht erstellt werden. Bitte versuch es {when} noch einmal. Es wurden keine Einheiten verbraucht.',
  'refusal.blocked':
    '🚫 Du kannst auf diesem Server keine Videos erstellen: {rule} ist 0. Frag einen Moderator, wenn du das für einen Fehler hältst.',
  'refusal.member_units':
    '🚫 Nicht genug Einheiten: Von deinem Kontingent pro {period} hast du noch {left}, dieses Video braucht {needed} ({rule}). Deine Einheiten erneuern sich {renews} ({renewsAt}).',
  'refusal.member_units_some_left':
    '🚫 Nicht genug Einheiten: Von deinem Kontingent pro {period} hast du noch {left}, dieses Video braucht {needed} ({rule}). Deine Einheiten erneuern sich {renews} ({renewsAt}). Ein 5-Sekunden-Video kostet 1 Einheit.',
  'refusal.server_units': '🚫 Dieser Server hat sein Videobudget pro {period} aufgebraucht. Es erneuert sich {renews} ({renewsAt}).',
  'refusal.global_units': '🚫 Der Bot hat sein Tageslimit über alle Server erreicht. Es erneuert sich {renews} ({renewsAt}).',
  'refusal.server_ceiling':
    '🚫 Dieser Server hat das Tageslimit des Bots von {units} pro Server erreicht, egal was hier eingestellt ist. Es erneuert sich {renews} ({renewsAt}).',
  'refusal.active_limit':
    '🚫 Du hast schon so viele Videos in Arbeit wie erlaubt ({running} laufend, {waiting} wartend). Warte, bis eins fertig ist, und versuch es dann noch einmal.',

  'standing.unlimited': '🎟️ Du hast **kein Limit** für Videos pro {period}.',
  'standing.left': '🎟️ Von deinem Kontingent pro {period} hast du noch **{left}**; es erneuert sich {renews} ({renewsAt}).',
  'standing.allowance': 'Kontingent: {allowance}, {used} verbraucht oder reserviert.',
  'standing.allowance_granted': 'Kontingent: {allowance} + {granted} gewährt, {used} verbraucht oder reserviert.',
  'standing.rule': 'Regel: {rule}.',
  'standing.work': 'In Arbeit: {running} laufend, {waiting} wartend. Ein 5-Sekunden-Video kostet 1 Einheit, ein 10-Sekunden-Video 2.',

  // History (en/history.ts)
  'history.header': {
    plural: 'cardinal',
    one: 'Deine letzte Videoanfrage auf diesem Server:',
    other: 'Deine letzten {count} Videoanfragen auf diesem Server, neueste zuerst:',
  },
  'history.empty': 'Du hast auf diesem Server in den letzten 30 Tagen kein Video angefragt. Mit /animieren machst du eins.',
  'history.line': '**{number}.** {state} · {when}\n> {prompt}',
  'history.resend_hint': 'Tippe unten auf eine Nummer, um dieses Video noch einmal zu bekommen.',
  'history.resend_button': '{number} erneut senden',
  'history.state.waiting': '⏳ wartet, bis es dran ist',
  'history.state.making': '🎬 wird erstellt',
  'history.state.delivered': '✅ zugestellt',
  'history.state.undelivered': '📭 erstellt, konnte aber nicht zugestellt werden',
  'history.state.cancelled': '🚫 abgebrochen, erstattet',
  'history.state.picture_refused': '🖼️ Bild abgelehnt, erstattet',
  'history.state.submit_unknown': '❓ unklar, ob es gestartet ist, erstattet',
  'history.state.failed': '❌ nicht erstellt, erstattet',

  'resend.video': '🎬 Hier ist dein Video noch einmal.',
  'resend.not_found': 'Diese Anfrage ist nicht mehr in deinem Verlauf (Anfragen bleiben 30 Tage gespeichert).',
  'resend.not_allowed': 'Nur wer dieses Video angefragt hat, kann es erneut senden lassen.',
  'resend.not_made': 'Für diese Anfrage wurde kein Video erstellt, es gibt also nichts zu senden.',
  'resend.gone': 'Der Videodienst hat dieses Video nicht mehr, es kann also nicht erneut gesendet werden.',
  'resend.unavailable': 'Der Videodienst antwortet gerade nicht. Bitte versuch es in ein paar Minuten noch einmal.',

  'retry.button': 'Erneut versuchen',
  'retry.not_found': 'Diese Anfrage ist nicht mehr bekannt (Anfragen bleiben 30 Tage gespeichert). Bitte nutze /animieren erneut.',
  'retry.not_allowed': 'Nur wer dieses Video angefragt hat, kann es erneut versuchen. Mit /animieren machst du dein eigenes.',
  'retry.not_retryable': 'Diese Anfrage kann nicht erneut versucht werden. Mit /animieren machst du ein neues Video.',
  'retry.already_retried': 'Diese Anfrage wurde schon erneut versucht. Mit /animieren machst du ein neues Video.',

  // Moderators (en/admin.ts)
  'admin.ceiling_note': 'ℹ️ Egal was hier steht: Der Betreiber des Bots begrenzt jeden Server auf {units} pro Tag.',
  'admin.unknown_subcommand': 'Unbekannter Unterbefehl.',
  'admin.missing.units': 'Gib `einheiten` oder `unbegrenzt: True` an.',
  'admin.missing.units_or_period': 'Gib `einheiten` oder `unbegrenzt: True` an, oder einen `zeitraum`.',
  'admin.missing.units_or_clear': 'Gib `einheiten`, `unbegrenzt: True` oder `entfernen: True` an.',
  'admin.missing.limits': 'Gib mindestens eins von `laufend`, `wartend`, `laufend_server` an.',
  'admin.missing.channel': 'Wähle einen `kanal`.',
  'admin.conflict.units_unlimited': 'Gib `einheiten` oder `unbegrenzt: True` an, nicht beides. Es wurde nichts geändert.',
  'admin.conflict.running_unlimited': 'Gib `laufend` oder `laufend_unbegrenzt: True` an, nicht beides. Es wurde nichts geändert.',
  'admin.conflict.waiting_unlimited': 'Gib `wartend` oder `wartend_unbegrenzt: True` an, nicht beides. Es wurde nichts geändert.',
  'admin.last_channel':
    '{channel} ist der einzige Kanal, in dem /animieren erlaubt ist, also bleibt er. Um alle Kanäle wieder zu erlauben, nutze `aktion: überall erlauben`.',

  'admin.member_default_set': '✅ Standardkontingent pro Mitglied: {before} → **{after}** pro {period}.',
  'admin.server_budget_set': '✅ Serverbudget: {before} → **{after}** pro {period}.',
  'admin.period_set.day': '✅ Zeitraum: {before} → **{after}** (erneuert sich um 00:00 UTC; die Nutzung zählt ab jetzt neu).',
  'admin.period_set.week': '✅ Zeitraum: {before} → **{after}** (erneuert sich montags um 00:00 UTC; die Nutzung zählt ab jetzt neu).',
  'admin.period_set.month': '✅ Zeitraum: {before} → **{after}** (erneuert sich am 1. um 00:00 UTC; die Nutzung zählt ab jetzt neu).',
  'admin.period_unchanged': 'Zeitraum: bereits **{period}**.',
  'admin.member_running_set': '✅ Laufend pro Mitglied: {before} → **{after}**.',
  'admin.member_waiting_set': '✅ Wartend pro Mitglied: {before} → **{after}**.',
  'admin.server_running_set': '✅ Laufend auf dem Server: {before} → **{after}**.',

  'admin.not_set': 'nicht gesetzt',
  'admin.allowance_set': '✅ Kontingent für {who}: {before} → **{after}** pro {period}.',
  'admin.role_allowance_cleared':
    '✅ Kontingent für {who}: {before} → **nicht gesetzt** (Mitglieder fallen auf ihre anderen Rollen oder den Standard zurück).',
  'admin.member_allowance_cleared': '✅ Kontingent für {who}: {before} → **nicht gesetzt** (Rollen oder der Standard gelten).',

  'admin.channels_cleared': '✅ Keine Kanalbeschränkung. /animieren geht jetzt in {channels}.',
  'admin.channel_added': '✅ Erlaubt: {channel}. /animieren geht jetzt in {channels}.',
  'admin.channel_removed': '✅ Nicht mehr erlaubt: {channel}. /animieren geht jetzt in {channels}.',
  'admin.every_channel': 'allen Kanälen',

  'admin.granted': '✅ {member} hat {units} zusätzlich im Kontingent pro {period} (bis {until}). Jetzt bleiben {left}.',
  'admin.reset': '✅ {units} an {member} zurückgegeben: Der Verbrauch in diesem Zeitraum ist zurückgesetzt.',
  'admin.reset_nothing':
    '{member} hat in diesem Zeitraum keine fertigen Videos zum Zurückgeben (laufende werden erstattet, falls sie scheitern).',

  'admin.usage.spend': '📊 **Budget pro {period}**: {used} von {budget} verbraucht; erneuert sich {renews}.',
  'admin.usage.top': 'Aktivste Mitglieder: {members}',
  'admin.usage.top_none': 'In diesem Zeitraum hat noch niemand etwas erstellt.',
  'admin.usage.running': 'Laufend: {members}',
  'admin.usage.waiting': 'Wartend: {members}',
  'admin.usage.none': 'niemand',
  'admin.usage.settings':
    '⚙️ Standard: {units} pro Mitglied pro {period}; {running} laufend und {waiting} wartend pro Mitglied; laufend auf dem ganzen Server: {serverRunning}.',
  'admin.usage.overrides': 'Rollen: {roles} · Mitglieder: {members}',
  'admin.usage.none_set': 'keine gesetzt',
  'admin.usage.channels': 'Kanäle: {channels}',
  'admin.usage.everywhere': 'überall',
  'admin.usage.entry': '{who} {amount}',

  // Command descriptions and choices (en/commands.ts): 50 characters at most, for phones.
  'command.animate': 'Mach aus einem Bild ein kurzes Video',
  'command.animate.image': 'Ein Foto oder Bild, mindestens 300x300',
  'command.animate.prompt': 'Wie sich das Bild bewegen soll',
  'command.animate.duration': 'Videolänge in Sekunden (Standard 5)',
  'command.animate.duration.5': '5 Sekunden (1 Einheit)',
  'command.animate.duration.10': '10 Sekunden (2 Einheiten)',
  'command.animate.cfg_scale': '0 = kreativ, 1 = folgt dem Prompt (Standard 0,5)',
  'command.animate.negative_prompt': 'Was im Video nicht vorkommen soll',

  'command.animate-quota': 'Deine übrigen Einheiten und wann sie sich erneuern',

  'command.animate-history': 'Deine letzten Videos hier, zum erneut Abrufen',

  'command.animate-admin': 'Festlegen, wer hier wie viele Videos machen darf',
  'command.animate-admin.units.allowance': 'Kontingent (Einheiten pro Zeitraum; 0 sperrt)',
  'command.animate-admin.units.budget': 'Budget (Einheiten pro Zeitraum; 0 sperrt)',
  'command.animate-admin.unlimited': 'Überhaupt kein Limit',
  'command.animate-admin.default': 'Standardkontingent pro Mitglied festlegen',
  'command.animate-admin.role': 'Kontingent einer Rolle (höchste Rolle gilt)',
  'command.animate-admin.role.role': 'Die Rolle',
  'command.animate-admin.role.clear': 'Einstellung für diese Rolle entfernen',
  'command.animate-admin.member': 'Kontingent eines Mitglieds (vor Rollen)',
  'command.animate-admin.member.member': 'Das Mitglied',
  'command.animate-admin.member.clear': 'Einstellung für dieses Mitglied entfernen',
  'command.animate-admin.budget': 'Gesamtbudget des Servers und sein Zeitraum',
  'command.animate-admin.budget.period': 'Wann sich die Nutzung erneuert (UTC)',
  'command.animate-admin.budget.period.day': 'Tag',
  'command.animate-admin.budget.period.week': 'Woche (ab Montag)',
  'command.animate-admin.budget.period.month': 'Monat',
  'command.animate-admin.limits': 'Wie viele gleichzeitig laufen und warten dürfen',
  'command.animate-admin.limits.running': 'Laufend pro Mitglied',
  'command.animate-admin.limits.waiting': 'Wartend pro Mitglied (reservieren Einheiten)',
  'command.animate-admin.limits.server_running': 'Laufend auf dem ganzen Server (0 = kein Limit)',
  'command.animate-admin.limits.running_unlimited': 'Kein Limit für Laufende pro Mitglied',
  'command.animate-admin.limits.waiting_unlimited': 'Kein Limit für Wartende pro Mitglied',
  'command.animate-admin.channels': 'Kanäle wählen, in denen /animieren geht',
  'command.animate-admin.channels.action': 'Was tun',
  'command.animate-admin.channels.action.add': 'einen Kanal erlauben',
  'command.animate-admin.channels.action.remove': 'einen Kanal nicht mehr erlauben',
  'command.animate-admin.channels.action.clear': 'überall erlauben',
  'command.animate-admin.channels.channel': 'Der Kanal',
  'command.animate-admin.usage': 'Verbrauch, Top-Nutzer, Einstellungen, Laufendes',
  'command.animate-admin.grant': 'Einem Mitglied Extra-Einheiten geben',
  'command.animate-admin.grant.member': 'Das Mitglied',
  'command.animate-admin.grant.units': 'Extra-Einheiten',
  'command.animate-admin.reset': 'Alles erstatten, was ein Mitglied verbraucht hat',
  'command.animate-admin.reset.member': 'Das Mitglied',

  // Command names (en/command-names.ts): lowercase, no spaces.
  'name.animate': 'animieren',
  'name.animate-quota': 'animieren-kontingent',
  'name.animate-history': 'animieren-verlauf',
  'name.animate-admin': 'animieren-admin',
  'name.image': 'bild',
  'name.prompt': 'prompt',
  'name.duration': 'dauer',
  'name.cfg_scale': 'cfg_scale',
  'name.negative_prompt': 'negativ_prompt',
  'name.default': 'standard',
  'name.role': 'rolle',
  'name.member': 'mitglied',
  'name.budget': 'budget',
  'name.limits': 'limits',
  'name.channels': 'kanäle',
  'name.usage': 'nutzung',
  'name.grant': 'gewähren',
  'name.reset': 'zurücksetzen',
  'name.units': 'einheiten',
  'name.unlimited': 'unbegrenzt',
  'name.clear': 'entfernen',
  'name.period': 'zeitraum',
  'name.running': 'laufend',
  'name.waiting': 'wartend',
  'name.server_running': 'laufend_server',
  'name.running_unlimited': 'laufend_unbegrenzt',
  'name.waiting_unlimited': 'wartend_unbegrenzt',
  'name.action': 'aktion',
  'name.channel': 'kanal',
  // The Animate message menu, HEIC photos, restarting
  'failure.picture_heic':
    'HEIC-Fotos können nicht gelesen werden. Sende es als JPEG: Teile es aus Fotos oder stelle Kamera → Formate → Maximale Kompatibilität ein.',
  'reply.restarting': '🔄 Der Bot startet gerade neu. Bitte versuch es in einer Minute noch einmal.',
  'menu.form.title': 'Dieses Bild animieren',
  'menu.form.prompt': 'Wie soll es sich bewegen?',
  'menu.form.prompt.placeholder': 'z. B. die Wellen rollen langsam heran, die Kamera schwenkt nach rechts',
  'menu.form.duration': 'Länge in Sekunden: 5 oder 10 (optional)',
  'menu.form.duration.placeholder': 'Leer: dein Standard, sonst 5',
  'menu.form.negative_prompt': 'Was vermeiden? (optional)',
  'menu.form.negative_prompt.placeholder': 'z. B. unscharf, verzerrte Gesichter',
  'menu.no_picture': 'Diese Nachricht enthält kein Bild. Halte eine Nachricht mit Foto gedrückt und wähle Apps → Animieren.',
  'menu.expired': 'Dieses Formular ist abgelaufen. Halte die Nachricht erneut gedrückt und wähle Apps → Animieren.',
  'menu.problem.duration': '❌ Die Länge ist 5 oder 10 Sekunden (oder lass das Feld leer).',
  'name.Animate': 'Animieren',
} as const satisfies Translation;
