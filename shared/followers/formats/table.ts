/** The summary table both the Markdown and the HTML form show: one row per channel, German figures. */
import { germanDate } from '../dates';
import type { ChannelFollowerReport, FollowerReport } from '../report';
import { germanChange, germanFigure, germanPercent } from './german';

export interface FollowerTable {
  title: string;
  /** column headings after Plattform and Kanal; these columns hold numbers */
  figureColumns: string[];
  rows: { channel: ChannelFollowerReport; figures: string[] }[];
  notes: string[];
}

export const MANUAL_NOTE = '* von Hand eingetragen';
const OTHER_DAY_NOTE = 'Ein Datum in Klammern nennt den Tag der Zählung, wenn am Stichtag keine vorliegt.';

const isManual = (channel: ChannelFollowerReport, figure: ChannelFollowerReport['start']) =>
  figure !== null && channel.manualDates.includes(figure.date);

/** A single-day report is the press-release table; a period adds the start and the change. */
export function followerTable(report: FollowerReport): FollowerTable {
  const singleDay = report.from === report.to;
  const figureColumns = singleDay
    ? [`Follower am ${germanDate(report.to)}`]
    : [
        `Follower am ${germanDate(report.from)}`,
        `Follower am ${germanDate(report.to)}`,
        'Veränderung',
        'Veränderung in %',
      ];
  const rows = report.channels.map((channel) => {
    const end = germanFigure(channel.end, report.to, isManual(channel, channel.end));
    const figures = singleDay
      ? [end]
      : [
          germanFigure(channel.start, report.from, isManual(channel, channel.start)),
          end,
          germanChange(channel.change),
          germanPercent(channel.changePercent),
        ];
    return { channel, figures };
  });
  const shown = (channel: ChannelFollowerReport) => (singleDay ? [channel.end] : [channel.start, channel.end]);
  const hasManual = report.channels.some((channel) => shown(channel).some((figure) => isManual(channel, figure)));
  const hasOtherDay = report.channels.some(
    (channel) =>
      (channel.end && channel.end.date !== report.to) ||
      (!singleDay && channel.start && channel.start.date !== report.from),
  );
  return {
    title: singleDay
      ? `Follower am ${germanDate(report.to)}`
      : `Follower vom ${germanDate(report.from)} bis ${germanDate(report.to)}`,
    figureColumns,
    rows,
    notes: [...(hasOtherDay ? [OTHER_DAY_NOTE] : []), ...(hasManual ? [MANUAL_NOTE] : [])],
  };
}
