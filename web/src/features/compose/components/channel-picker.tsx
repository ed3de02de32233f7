/** The organisation's channels: active ones selectable (preselected), frozen and retired ones shown greyed with their state. */
import { memo } from 'react';
import { Checkbox, CheckboxGroup, Label, Text } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { PLATFORMS } from '@shared/platforms/registry';
import type { ListedChannel } from '@/lib/session';

interface Props {
  channels: ListedChannel[];
  selected: string[];
  onChange(selected: string[]): void;
  errors: string[] | undefined;
}

/** Rendered again only when the channels, the choice or its errors change (memo), not on every keystroke. */
export const ChannelPicker = memo(function ChannelPicker({ channels, selected, onChange, errors = [] }: Props) {
  const { t } = useTranslation();
  return (
    <CheckboxGroup className="field channel-picker" value={selected} onChange={onChange} isInvalid={errors.length > 0}>
      <Label>{t('compose.channels')}</Label>
      <Text slot="description" className="field-description">
        {t('compose.channelsHelp')}
      </Text>
      <div className="channel-grid">
        {channels.map((channel) => (
          <Checkbox
            key={channel.id}
            value={channel.id}
            isDisabled={channel.state !== 'active'}
            className={`channel-option${channel.state !== 'active' ? ' channel-inactive' : ''}`}
          >
            <span className="checkbox-box" aria-hidden="true" />
            <span className="channel-name">{PLATFORMS[channel.platform].displayName}</span>
            <span className="channel-handle">{channel.handle}</span>
            {channel.state !== 'active' ? (
              <span className="channel-state">
                {t(`channelStates.${channel.state}`)}
                {channel.stateReason ? `: ${channel.stateReason}` : ''}
              </span>
            ) : null}
          </Checkbox>
        ))}
      </div>
      {errors.length ? (
        <Text slot="errorMessage" className="field-errors">
          {errors.join(' ')}
        </Text>
      ) : null}
    </CheckboxGroup>
  );
});
